// Placeholder: this module is being built (see issues).

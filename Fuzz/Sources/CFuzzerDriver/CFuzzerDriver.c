// Header-only target: the declaration is all it provides.
#include "CFuzzerDriver.h"

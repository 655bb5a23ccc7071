// libFuzzer's driver entry (compiler-rt FuzzerInterface.h), present when a
// program is linked with -sanitize=fuzzer. The harnesses call it from their
// own main (SwiftPM names an executable's entry point itself, so libFuzzer's
// main would never run).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

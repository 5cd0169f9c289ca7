// libFuzzer's own entry to its driver (compiler-rt, FuzzerInterface.h). SwiftPM links every executable with
// `main` pointing at `<Module>_main`, so each target defines that and hands its input function to this driver
// instead of linking libFuzzer's `main`.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

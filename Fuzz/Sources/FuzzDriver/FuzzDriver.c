// Empty: the header declares a function from libFuzzer's runtime, linked by -sanitize=fuzzer.

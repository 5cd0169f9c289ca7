import ArgumentParser

// Commands named in the automation contract whose features land in later issues. Each accepts its
// documented options, says it is not built yet, and exits non-zero.

// The seeded generator moved to its own module (SeededRandom) so `pipeline` can use it without the oracle;
// re-exported so every `import Verification` keeps seeing it.
@_exported import SeededRandom

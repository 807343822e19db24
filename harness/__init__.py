"""convharness: Conv2d consistency across frameworks, settled by experiment."""

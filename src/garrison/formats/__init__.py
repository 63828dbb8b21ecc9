"""report: writers turn a Report (+ the gate's Decision) into bytes. One module per format."""

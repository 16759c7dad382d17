"""The edges: each adapter parses platform input into events and renders effects back."""

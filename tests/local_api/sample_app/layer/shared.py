"""A module that only the layer provides."""

LAYER_VALUE = "from-the-layer"

"""Shipping a trained classifier: ONNX export, a predictor without PyTorch, an HTTP server."""

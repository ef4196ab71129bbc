"""Training scripts written the way PyTorch's beginner tutorials write them, one function each.

Every script takes the framework as its first argument and reaches it only through attributes
(`torch.tensor`, `torch.nn.Linear`, `torch.optim.SGD`, ...), so the same code runs with
`import torch` and with `import tinygrad_act as torch`: the import is the only edit.
"""

"""Prints torch.randn(shape) drawn with a torch.Generator seeded with SEED, one value per line (float32 repr).

usage: torch_randn.py SEED DIM [DIM ...]   (SEED may be negative: it is taken modulo 2**64, as libtorch does)
"""
import sys

import torch

seed = int(sys.argv[1]) % (1 << 64)
shape = [int(d) for d in sys.argv[2:]]
g = torch.Generator()
g.manual_seed(seed)
for v in torch.randn(shape, generator=g, dtype=torch.float32).flatten().tolist():
    print(repr(v))

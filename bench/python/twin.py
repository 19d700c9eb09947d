#!/usr/bin/env python3
"""PyTorch twin of Lethe's model and unlearning steps, for side-by-side timing and a numerics check.

The model is the same GPT-2-style causal LM as dev.lethe.model.CausalLm (Radford et al. 2019): token and
learned position embeddings, pre-norm blocks (causal multi-head attention, GELU MLP of width 4d, layer norm
over the feature axis with eps 1e-5, Conv1D-layout weights (in, out) with Hugging Face GPT-2 names), a final
layer norm and an LM head tied to the token embedding. The steps are those of dev.lethe.run.StepBenchmark:

  forward       a forward pass on one batch, no autograd
  first_order   NPO (beta 0.1) on the forget batch + retain NLL, backward, AdamW (torch.optim.AdamW)
  zeroth_order  MeZO/SPSA (Malladi et al. 2023): loss at theta, theta+eps z, theta-eps z, z regenerated from
                a seed per parameter, then theta -= lr * g * z; no autograd graph
  sam           SAM (Foret et al. 2021): gradient at theta, ascend to theta + rho g/|g|, gradient there,
                restore, AdamW step

Usage:
  twin.py bench --model quickstart|gpt2-small --batch 8 --length 32 --steps 20 --warmup 3 --step first_order
  twin.py check DIR      # DIR written by `lethe bench --export-twin DIR`: same weights, batch and steps,
                         # compares the losses with Lethe's to 1e-4
Prints CSV lines `step,median_ms,tokens_per_s,peak_mib` like `lethe bench --csv`.
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

CONFIGS = {
    # vocab, layers, width, heads, context
    "quickstart": (1000, 4, 128, 4, 32),
    "gpt2-small": (50257, 12, 768, 12, 1024),
}


class Twin(torch.nn.Module):
    """Lethe's CausalLm in PyTorch, parameters keyed by the same GPT-2 names."""

    def __init__(self, vocab, layers, width, heads, context):
        super().__init__()
        self.layers, self.width, self.heads = layers, width, heads
        shapes = {"wte.weight": (vocab, width), "wpe.weight": (context, width)}
        for l in range(layers):
            b = f"h.{l}."
            shapes.update({
                b + "ln_1.weight": (width,), b + "ln_1.bias": (width,),
                b + "attn.c_attn.weight": (width, 3 * width), b + "attn.c_attn.bias": (3 * width,),
                b + "attn.c_proj.weight": (width, width), b + "attn.c_proj.bias": (width,),
                b + "ln_2.weight": (width,), b + "ln_2.bias": (width,),
                b + "mlp.c_fc.weight": (width, 4 * width), b + "mlp.c_fc.bias": (4 * width,),
                b + "mlp.c_proj.weight": (4 * width, width), b + "mlp.c_proj.bias": (width,),
            })
        shapes.update({"ln_f.weight": (width,), "ln_f.bias": (width,)})
        self.names = list(shapes)
        self.params = torch.nn.ParameterDict()
        gen = torch.Generator().manual_seed(1)
        for name, shape in shapes.items():
            if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name == "ln_f.weight":
                t = torch.ones(shape)
            elif len(shape) == 1:
                t = torch.zeros(shape)
            else:
                t = torch.randn(shape, generator=gen) * 0.02
            self.params[name.replace(".", "__")] = torch.nn.Parameter(t)
        self._masks = {}

    def p(self, name):
        return self.params[name.replace(".", "__")]

    def named(self):
        return [(n, self.p(n)) for n in self.names]

    def load(self, tensors):
        with torch.no_grad():
            for n in self.names:
                self.p(n).copy_(torch.from_numpy(tensors[n]))

    def mask(self, t):
        if t not in self._masks:
            m = torch.zeros(t, t)
            m[torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)] = -1e9
            self._masks[t] = m
        return self._masks[t]

    def ln(self, x, prefix):
        return F.layer_norm(x, (self.width,), self.p(prefix + ".weight"), self.p(prefix + ".bias"), 1e-5)

    def proj(self, x, name):
        """x W + b by F.linear on a transposed view: one addmm, like Hugging Face GPT-2's Conv1D (Lethe's DJL linear
        gives the same forward values as a matmul plus a bias add)."""
        return F.linear(x, self.p(name + ".weight").t(), self.p(name + ".bias"))

    def forward(self, tokens):
        bsz, t = tokens.shape
        d, h = self.width, self.heads
        hw = d // h
        x = self.p("wte.weight")[tokens] + self.p("wpe.weight")[:t]
        mask = self.mask(t)
        for l in range(self.layers):
            b = f"h.{l}."
            y = self.proj(self.ln(x, b + "ln_1"), b + "attn.c_attn")
            q, k, v = y.split(d, dim=2)
            q = q.reshape(bsz, t, h, hw).transpose(1, 2)
            k = k.reshape(bsz, t, h, hw).permute(0, 2, 3, 1)
            v = v.reshape(bsz, t, h, hw).transpose(1, 2)
            att = ((q @ k) * (1.0 / math.sqrt(hw)) + mask).softmax(-1)
            y = (att @ v).transpose(1, 2).reshape(bsz, t, d)
            x = x + self.proj(y, b + "attn.c_proj")
            y = F.gelu(self.proj(self.ln(x, b + "ln_2"), b + "mlp.c_fc"))
            x = x + self.proj(y, b + "mlp.c_proj")
        return F.linear(self.ln(x, "ln_f"), self.p("wte.weight"))


def token_log_probs(logits, batch):
    """log p(target_t) on answer tokens, 0 elsewhere (Lethe's TokenScores)."""
    picked = logits.log_softmax(-1).gather(-1, batch["targets"].unsqueeze(-1)).squeeze(-1)
    return picked * batch["mask"]


def objective(model, ref_seq, forget, retain, beta=0.1):
    """NPO on forget (Zhang et al. 2024, eq. 3) + mean per-token NLL on retain, as Lethe's npo().plus(nll())."""
    seq = token_log_probs(model(forget["inputs"]), forget).sum(1)
    npo = (2.0 / beta) * F.softplus(beta * (seq - ref_seq)).mean()
    r = token_log_probs(model(retain["inputs"]), retain)
    nll = (-r.sum(1) / retain["mask"].sum(1)).mean()
    return npo + nll


def reference_seq(ref, forget):
    with torch.no_grad():
        return token_log_probs(ref(forget["inputs"]), forget).sum(1)


def adamw(model, lr):
    decay = [p for n, p in model.named() if p.dim() >= 2]
    plain = [p for n, p in model.named() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": plain, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.999), eps=1e-8)


def random_batch(vocab, batch, length, seed):
    """Random sequences of `length` inputs: <bos>, a prompt of length/2, an answer; mask on answer and <eos>."""
    g = torch.Generator().manual_seed(seed)
    prompt = length // 2
    answer = length - 1 - prompt
    seq = torch.randint(4, vocab, (batch, length + 1), generator=g)
    seq[:, 0] = 2
    seq[:, -1] = 3
    mask = torch.zeros(batch, length)
    mask[:, prompt:] = 1
    return {"inputs": seq[:, :-1].contiguous(), "targets": seq[:, 1:].contiguous(), "mask": mask}


class PeakMemory:
    """Growth of the process's peak resident set (VmHWM after a reset through /proc/self/clear_refs), MiB."""

    def __init__(self):
        self.before = self._kb("VmRSS:")
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.ok = True
        except OSError:
            self.ok = False

    @staticmethod
    def _kb(field):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
        return -1

    def growth_mib(self):
        return max(0, self._kb("VmHWM:") - self.before) / 1024.0 if self.ok else float("nan")


def bench(args):
    torch.set_num_threads(args.threads)
    vocab, layers, width, heads, context = CONFIGS[args.model]
    model = Twin(vocab, layers, width, heads, max(context, args.length))
    ref = Twin(vocab, layers, width, heads, max(context, args.length))
    ref.load({n: p.detach().numpy().copy() for n, p in model.named()})
    for p in ref.parameters():
        p.requires_grad_(False)
    forget = random_batch(vocab, args.batch, args.length, 1)
    retain = random_batch(vocab, args.batch, args.length, 2)
    tokens = 2 * args.batch * args.length
    params = [p for _, p in model.named()]
    state = {"step": 0}
    opt = adamw(model, 1e-4) if args.step in ("first_order", "sam") else None

    def forward():
        with torch.no_grad():
            model(forget["inputs"]).sum().item()

    def first_order():
        opt.zero_grad(set_to_none=False)
        loss = objective(model, reference_seq(ref, forget), forget, retain)
        loss.backward()
        opt.step()
        loss.item()

    def zeroth_order(lr=1e-6, eps=1e-3):
        seed = 1000 + state["step"]
        state["step"] += 1

        def perturb(scale):
            g = torch.Generator().manual_seed(seed)
            for p in params:
                p.data.add_(torch.randn(p.shape, generator=g), alpha=scale)

        with torch.no_grad():
            ref_seq = reference_seq(ref, forget)
            loss = objective(model, ref_seq, forget, retain)
            perturb(eps)
            plus = objective(model, ref_seq, forget, retain)
            perturb(-2 * eps)
            minus = objective(model, ref_seq, forget, retain)
            perturb(eps)
            projected = ((plus - minus) / (2 * eps)).item()
            perturb(-lr * projected)
            loss.item()

    def sam(rho=0.05):
        ref_seq = reference_seq(ref, forget)
        opt.zero_grad(set_to_none=False)
        loss = objective(model, ref_seq, forget, retain)
        loss.backward()
        with torch.no_grad():
            norm = torch.sqrt(sum((p.grad ** 2).sum() for p in params))
            shift = [p.grad * (rho / (norm + 1e-12)) for p in params]
            for p, e in zip(params, shift):
                p.add_(e)
        opt.zero_grad(set_to_none=False)
        objective(model, ref_seq, forget, retain).backward()
        with torch.no_grad():
            for p, e in zip(params, shift):
                p.sub_(e)
        opt.step()
        loss.item()

    step = {"forward": forward, "first_order": first_order, "zeroth_order": zeroth_order, "sam": sam}[args.step]
    if args.step == "forward":
        tokens //= 2
    memory = PeakMemory()
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    median = float(np.median(times))
    print(f"{args.step},{median:.4f},{tokens / (median / 1000):.1f},{memory.growth_mib():.2f}")
    if args.profile:
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            for _ in range(args.steps):
                step()
        prof.export_chrome_trace(args.profile)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = {"F32": np.float32, "F16": np.float16}[entry["dtype"]]
        raw = np.frombuffer(data[8 + n + start:8 + n + end], dtype=dtype).reshape(entry["shape"])
        out[name] = raw.astype(np.float32)
    return out


def check(args):
    """Same weights, batch and steps as Lethe's export: the losses must agree to 1e-4."""
    torch.set_num_threads(1)
    with open(os.path.join(args.dir, "expected.json")) as f:
        expected = json.load(f)
    with open(os.path.join(args.dir, "batch.json")) as f:
        raw = json.load(f)
    c = expected["config"]
    model = Twin(c["vocab"], c["layers"], c["width"], c["heads"], c["context"])
    ref = Twin(c["vocab"], c["layers"], c["width"], c["heads"], c["context"])
    weights = read_safetensors(os.path.join(args.dir, "weights.safetensors"))
    model.load(weights)
    ref.load(weights)
    batches = {}
    for split, b in raw.items():
        batches[split] = {"inputs": torch.tensor(b["inputs"], dtype=torch.int64),
                          "targets": torch.tensor(b["targets"], dtype=torch.int64),
                          "mask": torch.tensor(b["mask"], dtype=torch.float32)}
    opt = adamw(model, expected["lr"])
    ref_seq = reference_seq(ref, batches["forget"])
    worst = 0.0
    for s, want in enumerate(expected["losses"]):
        opt.zero_grad(set_to_none=False)
        loss = objective(model, ref_seq, batches["forget"], batches["retain"], expected["beta"])
        loss.backward()
        opt.step()
        got = loss.item()
        worst = max(worst, abs(got - want))
        print(f"step {s}: lethe {want:.7f}  pytorch {got:.7f}  |diff| {abs(got - want):.2e}")
    ok = worst <= 1e-4
    print(f"numerics: max |loss difference| over {len(expected['losses'])} AdamW steps = {worst:.2e} "
          f"({'within' if ok else 'OUTSIDE'} 1e-4)")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--model", choices=sorted(CONFIGS), default="quickstart")
    b.add_argument("--batch", type=int, default=8)
    b.add_argument("--length", type=int, default=32)
    b.add_argument("--warmup", type=int, default=3)
    b.add_argument("--steps", type=int, default=20)
    b.add_argument("--threads", type=int, default=1)
    b.add_argument("--step", choices=["forward", "first_order", "zeroth_order", "sam"], required=True)
    b.add_argument("--profile", metavar="FILE", help="then run the timed steps once more under torch.profiler and "
                   "write its Chrome trace to FILE (bench/python/op_profile.py sums it per op class)")
    c = sub.add_parser("check")
    c.add_argument("dir")
    args = parser.parse_args()
    if args.command == "bench":
        bench(args)
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())

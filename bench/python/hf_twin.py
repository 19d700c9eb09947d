#!/usr/bin/env python3
"""transformers' side of bench/hf-compare.sh: the code a researcher would otherwise run, timed like Lethe's
`lethe bench` on the same model shape, batch, sequence length, dtype (float32), threads and steps.

The model is transformers' own (`AutoModelForCausalLM.from_config`, e.g. LlamaForCausalLM) built from the
config.json that `lethe bench --model SHAPE --write-config DIR` writes (so both sides have exactly the same
shape), with transformers' random initialisation, float32, and the attention implementation transformers
picks by default (printed by --describe; sdpa on torch 2.x); or, when DIR holds safetensors, that checkpoint.
The steps, one per process:

  forward       model(input_ids).logits on one batch, torch.no_grad
  loss          the retain batch's NLL, model(input_ids, labels=..., shift_labels=...).loss (labels -100 outside
                the answer; shift_labels so that every input position predicts its target, as Lethe's batch
                does), torch.no_grad
  lora          LoRA (Hu et al. 2021) of rank 8, alpha 8, on every q_proj and v_proj (PEFT's defaults for Llama):
                with peft when the venv has it, else a minimal torch wrapper computing the same
                base(x) + (alpha/r) B(A(x)) (A kaiming-uniform(a=sqrt 5), B = 0, base weights frozen); loss,
                backward, torch.optim.AdamW (lr 1e-4, weight decay 0.01) on the adapters
  zeroth_order  MeZO-SGD as in Malladi et al. 2023's trainer (zo_perturb_parameters / zo_step / zo_update): every
                parameter perturbed in place by +eps z, loss, -2 eps z, loss, +eps z (restored), then
                theta -= lr * projected_grad * z, each z regenerated with torch.normal from a torch.Generator
                seeded per step (eps 1e-3, lr 1e-6, no autograd)
  generate_bN   model.generate on N random prompts of --length tokens: greedy, use_cache=True, exactly
                --new-tokens new tokens (eos disabled), torch.no_grad

Usage:
  hf_twin.py --model-dir DIR --step STEP [--batch 8] [--length 32] [--steps 20] [--warmup 3] [--threads 1]
             [--new-tokens 128] [--profile TRACE.json]
  hf_twin.py --model-dir DIR --describe      # transformers/torch versions, attention implementation, LoRA code
Prints one CSV line `step,median_ms,tokens_per_s,peak_mib,peak_native_mib` like `lethe bench --csv` (peak_mib:
growth of the peak resident set during the steps; peak_native_mib: the whole peak resident set, weights included).
With --profile, the timed steps run once more under torch.profiler and the Chrome trace goes to TRACE.json
(bench/python/op_profile.py sums it).
"""
import argparse
import glob
import math
import os
import sys
import time

import numpy as np
import torch
from transformers import AutoConfig, AutoModelForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twin import PeakMemory, random_batch  # noqa: E402  (same batches and memory measure as the GPT-2 twin)

LORA_RANK = 8
STEPS = ("forward", "loss", "lora", "zeroth_order")


def lora_implementation():
    try:
        import peft  # noqa: F401
        return f"peft {peft.__version__}"
    except ImportError:
        return "minimal torch LoRA wrapper (peft is not installed in this venv)"


class LoraLinear(torch.nn.Module):
    """PEFT's lora.Linear without dropout: base(x) + (alpha / r) * B(A(x)), A kaiming-uniform, B = 0."""

    def __init__(self, base, rank, alpha):
        super().__init__()
        self.base = base
        self.lora_A = torch.nn.Linear(base.in_features, rank, bias=False)
        self.lora_B = torch.nn.Linear(rank, base.out_features, bias=False)
        torch.nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        torch.nn.init.zeros_(self.lora_B.weight)
        self.scaling = alpha / rank

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scaling


def with_lora(model):
    """The model with rank-8 adapters on q_proj and v_proj, base weights frozen; returns (model, adapters)."""
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError:
        get_peft_model = None
    if get_peft_model is not None:
        model = get_peft_model(model, LoraConfig(r=LORA_RANK, lora_alpha=LORA_RANK, lora_dropout=0.0,
                                                 target_modules=["q_proj", "v_proj"]))
    else:
        for p in model.parameters():
            p.requires_grad_(False)
        targets = [(n, m) for n, m in model.named_modules() if n.endswith(("q_proj", "v_proj"))]
        if not targets:
            sys.exit("hf_twin.py: the model has no q_proj/v_proj modules for LoRA")
        for name, module in targets:
            parent_name, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent_name), child, LoraLinear(module, LORA_RANK, LORA_RANK))
    return model, [p for p in model.parameters() if p.requires_grad]


def build(model_dir):
    config = AutoConfig.from_pretrained(model_dir)
    if glob.glob(os.path.join(model_dir, "*.safetensors")):
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    else:
        torch.manual_seed(1)
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    return model


def describe(args):
    config = AutoConfig.from_pretrained(args.model_dir)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    import transformers
    print(f"transformers {transformers.__version__} {type(model).__name__}, torch {torch.__version__}, float32, "
          f"attention '{model.config._attn_implementation}' (transformers' default), LoRA: {lora_implementation()}")


def bench(args):
    torch.set_num_threads(args.threads)
    model = build(args.model_dir)
    vocab = model.config.vocab_size
    retain = random_batch(vocab, args.batch, args.length, 2)
    labels = torch.where(retain["mask"] > 0, retain["targets"], torch.full_like(retain["targets"], -100))
    inputs = retain["inputs"]
    tokens = args.batch * args.length
    state = {"step": 0}

    def loss_value():
        return model(input_ids=inputs, labels=labels, shift_labels=labels).loss

    def forward():
        with torch.no_grad():
            model(input_ids=inputs).logits.sum().item()

    def loss():
        with torch.no_grad():
            loss_value().item()

    step = None
    if args.step == "forward":
        model.eval()
        step = forward
    elif args.step == "loss":
        model.eval()
        step = loss
    elif args.step == "lora":
        model, adapters = with_lora(model)
        model.train()
        opt = torch.optim.AdamW(adapters, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)

        def lora():
            opt.zero_grad(set_to_none=False)
            value = loss_value()
            value.backward()
            opt.step()
            value.item()
        step = lora
    elif args.step == "zeroth_order":
        model.eval()
        params = [p for p in model.parameters()]  # tied embeddings appear once

        def perturb(seed, scale):
            g = torch.Generator(device=params[0].device).manual_seed(seed)
            for p in params:
                z = torch.normal(mean=0.0, std=1.0, size=p.shape, generator=g, device=p.device, dtype=p.dtype)
                p.data.add_(z, alpha=scale)

        def zeroth_order(lr=1e-6, eps=1e-3):
            seed = 1000 + state["step"]
            state["step"] += 1
            with torch.no_grad():
                perturb(seed, eps)
                plus = loss_value()
                perturb(seed, -2 * eps)
                minus = loss_value()
                perturb(seed, eps)
                projected = ((plus - minus) / (2 * eps)).item()
                perturb(seed, -lr * projected)
        step = zeroth_order
    elif args.step.startswith("generate_b"):
        rows = int(args.step[len("generate_b"):])
        model.eval()
        g = torch.Generator().manual_seed(3)
        ids = torch.randint(4, vocab, (rows, args.length), generator=g)
        mask = torch.ones_like(ids)
        tokens = rows * args.new_tokens

        def generate():
            with torch.no_grad():
                out = model.generate(input_ids=ids, attention_mask=mask, do_sample=False, use_cache=True,
                                     max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens,
                                     eos_token_id=None, pad_token_id=0)
            if out.shape[1] != args.length + args.new_tokens:
                sys.exit(f"hf_twin.py: generate returned {out.shape[1] - args.length} new tokens, not "
                         f"{args.new_tokens}")
        step = generate
    memory = PeakMemory()
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    peak_native = PeakMemory._kb("VmHWM:") / 1024.0 if memory.ok else float("nan")
    growth = memory.growth_mib()
    if args.profile:
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(args.steps):
                step()
        prof.export_chrome_trace(args.profile)
    median = float(np.median(times))
    print(f"{args.step},{median:.4f},{tokens / (median / 1000):.1f},{growth:.2f},{peak_native:.2f}")


def step_type(value):
    if value in STEPS:
        return value
    if value.startswith("generate_b") and value[len("generate_b"):].isdigit() and int(value[10:]) >= 1:
        return value
    raise argparse.ArgumentTypeError(f"step must be one of {', '.join(STEPS)} or generate_b<N>, was {value}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", required=True, help="folder with config.json (and safetensors: its weights)")
    parser.add_argument("--describe", action="store_true")
    parser.add_argument("--step", type=step_type)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--length", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--profile")
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.model_dir, "config.json")):
        parser.error(f"--model-dir {args.model_dir} has no config.json")
    if args.describe:
        describe(args)
        return 0
    if args.step is None:
        parser.error("--step is required (or --describe)")
    if min(args.batch, args.length, args.steps, args.threads, args.new_tokens) < 1 or args.warmup < 0:
        parser.error("--batch, --length, --steps, --threads and --new-tokens must be >= 1, --warmup >= 0")
    bench(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

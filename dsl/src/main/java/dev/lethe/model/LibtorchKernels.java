package dev.lethe.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Fused libtorch kernels that DJL's JNI does not bind, reached through a tiny TorchScript module whose source
 * is the text block {@link #SOURCE}: libtorch compiles it when the module is loaded, so no Python and no
 * binary file is involved. The module archive (the format {@code torch.jit.save} writes: a zip with the code,
 * an empty-module pickle and a format version) is assembled in memory.
 *
 * <p>The module holds no tensors; it is loaded once per process and kept (a few kilobytes of native memory).
 * Its methods run on whatever device their arguments are on.
 */
public final class LibtorchKernels {
    /** The TorchScript source of the module (TorchScript's serialized-code dialect of Python). */
    static final String SOURCE = """
            class Kernels(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.Kernels, q: Tensor, k: Tensor, v: Tensor, mask: Tensor) -> Tensor:
                groups = q.size(1) // k.size(1)
                if groups > 1 and q.size(2) == 1 and mask.dim() != 0 and (mask.dim() < 3 or mask.size(-3) == 1):
                  b = q.size(0)
                  h = q.size(1)
                  d = q.size(3)
                  grouped = q.reshape([b, k.size(1), groups, d])
                  out = torch.scaled_dot_product_attention(grouped, k, v, attn_mask=mask, dropout_p=0.0,
                      is_causal=False)
                  return out.reshape([b, h, 1, d])
                if groups > 1:
                  k = k.repeat_interleave(groups, 1)
                  v = v.repeat_interleave(groups, 1)
                if mask.dim() == 0:
                  return torch.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=True)
                return torch.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=0.0, is_causal=False)
              def all_finite(self: __torch__.Kernels, xs: List[Tensor]) -> bool:
                norms = torch._foreach_norm(xs)
                return bool(torch.all(torch.isfinite(torch.stack(norms))))
              def adamw(self: __torch__.Kernels, w: List[Tensor], g: List[Tensor], m: List[Tensor], v: List[Tensor],
                  steps: List[Tensor], lr: float, b1: float, b2: float, wd: float, eps: float) -> int:
                torch._fused_adamw_(w, g, m, v, annotate(List[Tensor], []), steps, lr=lr, beta1=b1, beta2=b2,
                    weight_decay=wd, eps=eps, amsgrad=False, maximize=False)
                return 0
              def add_noise(self: __torch__.Kernels, ws: List[Tensor], seeds: List[int], scale: float, block: int) -> int:
                for i in range(len(ws)):
                  w = ws[i]
                  g = torch.Generator(device=w.device)
                  g.manual_seed(seeds[i])
                  n = w.numel()
                  if w.dim() == 0 or n <= block:
                    w.add_(torch.randn(w.size(), generator=g, dtype=w.dtype, device=w.device), alpha=scale)
                  else:
                    rows = w.size(0)
                    step = max(1, block // (n // rows))
                    for start in range(0, rows, step):
                      part = w.narrow(0, start, min(step, rows - start))
                      part.add_(torch.randn(part.size(), generator=g, dtype=w.dtype, device=w.device), alpha=scale)
                return 0
            """;

    private static PtSymbolBlock module;

    private LibtorchKernels() {}

    /**
     * Whether every entry of every array is finite, computed on the arrays' device with one host read-back:
     * the norm of each array ({@code torch._foreach_norm}) is finite exactly when its entries are, unless the
     * sum of squares overflows float32 (entries beyond about 1e19), which counts as not finite.
     */
    public static boolean allFinite(List<NDArray> arrays) {
        if (arrays.isEmpty()) {
            return true;
        }
        try (IValue xs = tensors(arrays); IValue out = IValueUtils.runMethod(module(), "all_finite", xs)) {
            return out.toBoolean();
        }
    }

    /**
     * One AdamW step in place with libtorch's fused kernel ({@code torch._fused_adamw_}, what
     * {@code torch.optim.AdamW(fused=True)} runs): for each parameter θ with gradient g and moments m, v,
     * θ ← θ(1 − ηλ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − (η/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε)
     * (Loshchilov &amp; Hutter 2019, Algorithm 2, with Kingma &amp; Ba 2015's bias corrections). One pass over
     * each parameter's four arrays instead of one per elementary operation.
     *
     * @param weights θ, updated in place
     * @param gradients g, in the order of {@code weights}
     * @param first m, updated in place
     * @param second v, updated in place
     * @param step t ≥ 1, the number of this update
     * @param lr η
     * @param weightDecay λ (0 for none)
     */
    public static void adamW(List<NDArray> weights, List<NDArray> gradients, List<NDArray> first, List<NDArray> second,
            long step, double lr, double b1, double b2, double eps, double weightDecay) {
        if (weights.isEmpty()) {
            return;
        }
        if (gradients.size() != weights.size() || first.size() != weights.size() || second.size() != weights.size()) {
            throw new IllegalArgumentException("adamW needs one gradient and two moments per weight: " + weights.size()
                    + " weights, " + gradients.size() + " gradients, " + first.size() + " and " + second.size()
                    + " moments");
        }
        NDArray like = weights.get(0);
        try (NDArray t = like.getManager().full(new Shape(), step, DataType.FLOAT32, like.getDevice())) {
            List<NDArray> steps = Collections.nCopies(weights.size(), t);
            try (IValue w = tensors(weights); IValue g = tensors(gradients); IValue m = tensors(first);
                    IValue v = tensors(second); IValue s = tensors(steps); IValue a = IValue.from(lr);
                    IValue c = IValue.from(b1); IValue d = IValue.from(b2); IValue e = IValue.from(weightDecay);
                    IValue f = IValue.from(eps)) {
                IValueUtils.runMethod(module(), "adamw", w, g, m, v, s, a, c, d, e, f).close();
            }
        }
    }

    /**
     * w ← w + scale·z in place for each array w, z ~ N(0, I) drawn on w's device by libtorch's generator
     * ({@code torch.randn} with a {@code torch.Generator} seeded with {@code seeds[i]}), in blocks of at most
     * {@code block} values along the leading axis (one row if a row is larger), so no array the size of w is
     * ever held. The same seed, shape, block, type and device type give the same z; the values differ between
     * device types (CPU, CUDA), as libtorch's generators do.
     */
    public static void addNoise(List<NDArray> arrays, long[] seeds, double scale, int block) {
        if (arrays.size() != seeds.length) {
            throw new IllegalArgumentException(arrays.size() + " arrays but " + seeds.length + " seeds");
        }
        if (arrays.isEmpty()) {
            return;
        }
        try (IValue w = tensors(arrays); IValue s = IValue.listFrom(seeds); IValue a = IValue.from(scale);
                IValue b = IValue.from((long) block)) {
            IValueUtils.runMethod(module(), "add_noise", w, s, a, b).close();
        }
    }

    /**
     * Scaled dot-product attention, softmax(q·kᵀ/√d + mask)·v (Vaswani et al. 2017, eq. 1), as libtorch's
     * fused {@code scaled_dot_product_attention} computes it (a flash-attention kernel on CPUs and GPUs where
     * it applies), differentiable: inside a {@code GradientCollector} its backward pass is libtorch's too.
     * Grouped-query attention (fewer key/value heads than query heads, each serving consecutive query heads,
     * Hugging Face's {@code repeat_kv} order) does not use libtorch 2.7.1's grouped kernel ({@code enable_gqa}),
     * which measured 1.8–4× slower than the alternatives at SmolLM-135M's shapes (batch 8, 9 query and 3
     * key/value heads): a single query position (a decoding step) folds the query heads that share a key/value
     * head into that head's queries, one plain attention call; longer passes repeat the key/value heads
     * ({@code repeat_interleave}, as transformers' {@code repeat_kv}) and call the plain kernel.
     *
     * @param q queries, (batch, heads, T, d)
     * @param k keys, (batch, kvHeads, S, d), kvHeads dividing heads
     * @param v values, (batch, kvHeads, S, d)
     * @param mask null for the causal mask of T = S positions; else added to the scores, broadcastable to
     *     (batch, heads, T, S) (0 where a key is seen, a very negative value where not), or boolean (true
     *     where seen)
     * @return (batch, heads, T, d)
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, @Nullable NDArray mask) {
        if (mask == null && q.getShape().get(2) != k.getShape().get(2)) {
            throw new IllegalArgumentException("the causal mask needs as many queries as keys, got "
                    + q.getShape().get(2) + " and " + k.getShape().get(2) + ": pass a mask");
        }
        NDArray causal = mask != null ? null : q.getManager().zeros(new Shape(), q.getDataType(), q.getDevice());
        try {
            NDList out = IValueUtils.forward(module(), new NDList(q, k, v, mask != null ? mask : causal), true);
            return out.singletonOrThrow();
        } finally {
            if (causal != null) {
                causal.close();
            }
        }
    }

    private static IValue tensors(List<NDArray> arrays) {
        PtNDArray[] a = new PtNDArray[arrays.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (PtNDArray) arrays.get(i);
        }
        return IValue.listFrom(a);
    }

    private static synchronized PtSymbolBlock module() {
        if (module == null) {
            NDManager owner = NDManager.newBaseManager(Device.cpu(), "PyTorch");
            try {
                module = JniUtils.loadModule((PtNDManager) owner, new ByteArrayInputStream(archive()), true, false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load Lethe's TorchScript kernels", e);
            }
        }
        return module;
    }

    /** The module as {@code torch.jit.save} would write it: code, an empty-module pickle, constants, version. */
    static byte[] archive() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "kernels/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            entry(zip, "kernels/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            entry(zip, "kernels/data.pkl", modulePickle());
            // pickle protocol 2 of an empty tuple
            entry(zip, "kernels/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Pickle protocol 2 of an instance of {@code __torch__.Kernels} with {@code training = False}, in the opcodes
     * TorchScript's own writer uses: PROTO, GLOBAL, BINPUT, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, MARK,
     * BINUNICODE, NEWFALSE, SETITEMS, BUILD, STOP.
     */
    private static byte[] modulePickle() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(new byte[] {(byte) 0x80, 2, 'c'});
        p.writeBytes("__torch__\nKernels\n".getBytes(StandardCharsets.US_ASCII));
        p.writeBytes(new byte[] {'q', 0, ')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0});
        p.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
        p.writeBytes(new byte[] {'q', 1, (byte) 0x89, 'u', 'b', 'q', 2, '.'});
        return p.toByteArray();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }
}

package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The floating-point type a stage computes its forward and backward passes in. Weights and optimizer state
 * stay {@code float32} either way. BFLOAT16 is deliberately absent: DJL's PyTorch JNI aborts the JVM on it.
 */
public enum Precision {
    /** Everything in float32. */
    FLOAT32(DataType.FLOAT32),
    /**
     * Mixed precision (Micikevicius et al. 2018, "Mixed Precision Training", §3): float32 master weights and
     * optimizer state, forward and backward passes on float16 copies of the weights, the loss multiplied by a
     * static scale before the backward pass and the gradients divided by it in float32. Meant for GPUs: CPU
     * float16 kernels are many times slower than float32 ones.
     */
    FLOAT16(DataType.FLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    /** The array type of the computation. */
    public DataType dataType() {
        return dataType;
    }

    /**
     * Float32 logits from a float16 forward pass (float32 ones as they are), so that log-softmax over the
     * vocabulary and the objectives run in float32, as under PyTorch's autocast. A product with a float32 one of
     * shape (1) promotes the type and stays in the autograd graph ({@code toType} would cut it); frees the
     * float16 logits.
     */
    static NDArray widened(NDArray logits) {
        if (logits.getDataType() == DataType.FLOAT32) {
            return logits;
        }
        NDArray one = logits.getManager().ones(new Shape(1), DataType.FLOAT32);
        NDArray wide = logits.mul(one);
        one.close();
        logits.close();
        return wide;
    }
}

package dev.lethe.model;

import ai.djl.ndarray.types.DataType;

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
}

/**
 * Low-rank adapters for the unlearning stage: LoRA (Hu et al. 2021) on the attention and MLP projections,
 * optionally initialised with LoKU's FILA (Cha et al., ICLR 2025); trained alone, then merged back.
 */
@NullMarked
package dev.lethe.adapter;

import org.jspecify.annotations.NullMarked;

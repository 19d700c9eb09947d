/**
 * Causal language models on DJL: the {@link dev.lethe.model.Architecture} seam (parameters, {@link
 * dev.lethe.model.Role roles}, forward pass, {@link dev.lethe.model.ActivationHook activation hooks}) and
 * its first implementation {@link dev.lethe.model.Gpt2}, the model lifecycle ({@link dev.lethe.model.CausalLm}),
 * weights in safetensors and Hugging Face folders, tokenizers, and generation ({@link dev.lethe.model.Generator}:
 * greedy or sampled, batched, with a {@link dev.lethe.model.KvCache} where the architecture has one).
 */
@NullMarked
package dev.lethe.model;

import org.jspecify.annotations.NullMarked;

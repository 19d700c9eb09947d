/** Causal language models on DJL: the GPT block stack, its configuration, weights in safetensors, and tokenizers. */
@NullMarked
package dev.lethe.model;

import org.jspecify.annotations.NullMarked;

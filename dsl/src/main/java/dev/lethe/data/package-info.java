/** Question-answer data with forget / retain / holdout / world splits, the built-in benchmark, JSONL in TOFU's layout, and batching with prompt masking. */
@NullMarked
package dev.lethe.data;

import org.jspecify.annotations.NullMarked;

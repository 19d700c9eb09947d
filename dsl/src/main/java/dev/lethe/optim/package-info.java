/** Optimizers as an estimator of a descent direction followed by a chain of transforms (Optax's shape). */
@NullMarked
package dev.lethe.optim;

import org.jspecify.annotations.NullMarked;

/** Unlearning objectives: losses computed from a {@link dev.lethe.objective.Step} context, and their combinators. */
@NullMarked
package dev.lethe.objective;

import org.jspecify.annotations.NullMarked;

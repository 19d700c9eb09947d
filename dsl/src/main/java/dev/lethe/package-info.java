/** Lethe's front door: the fluent recipe DSL ({@link dev.lethe.Lethe}), the immutable {@link dev.lethe.spec.Recipe} and the {@link dev.lethe.result.RunResult}. */
@NullMarked
package dev.lethe;

import org.jspecify.annotations.NullMarked;

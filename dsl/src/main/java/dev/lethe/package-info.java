/** Lethe's front door: the fluent recipe DSL ({@link dev.lethe.Lethe}), the immutable {@link dev.lethe.Recipe} and the {@link dev.lethe.RunResult}. */
@NullMarked
package dev.lethe;

import org.jspecify.annotations.NullMarked;

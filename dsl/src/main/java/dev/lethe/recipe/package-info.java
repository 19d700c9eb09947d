/**
 * Recipe files: a {@link dev.lethe.spec.Recipe} as YAML (or JSON) and back, exactly. {@link RecipeCodec} reads and
 * writes; {@link PartRegistry} names every part a file can hold (objectives, optimizers, schedules, suites,
 * attacks, data, models) with typed, documented parameters; {@link RecipeException} lists every problem of a
 * bad file at once, each with its file, line, field path and a did-you-mean.
 */
@NullMarked
package dev.lethe.recipe;

import org.jspecify.annotations.NullMarked;

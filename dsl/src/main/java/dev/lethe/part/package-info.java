/** How a part declares itself: its {@link dev.lethe.part.Kind} (name, typed {@link dev.lethe.part.Param}s with defaults, accessors) in a {@link dev.lethe.part.Slot}, and the reading and writing of parts that the recipe codec drives. */
@NullMarked
package dev.lethe.part;

import org.jspecify.annotations.NullMarked;

/** The runner: stages, progress events, determinism and numeric guards. */
@NullMarked
package dev.lethe.run;

import org.jspecify.annotations.NullMarked;

/** File helpers shared by every package: atomic writes, paths confined to their folder, ordinary-file checks. */
@NullMarked
package dev.lethe.io;

import org.jspecify.annotations.NullMarked;

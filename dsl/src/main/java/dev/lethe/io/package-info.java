/** File helpers shared by every package: atomic writes. */
@NullMarked
package dev.lethe.io;

import org.jspecify.annotations.NullMarked;

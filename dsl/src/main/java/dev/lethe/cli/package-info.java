/** The {@code lethe} command line. */
@NullMarked
package dev.lethe.cli;

import org.jspecify.annotations.NullMarked;

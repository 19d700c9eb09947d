/** Small helpers shared by packages that have nothing else in common: did-you-mean suggestions. */
@NullMarked
package dev.lethe.util;

import org.jspecify.annotations.NullMarked;

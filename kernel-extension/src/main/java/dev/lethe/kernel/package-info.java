/**
 * Lethe in the Kotlin Jupyter kernel: {@code %use lethe} adds Lethe's imports, renders recipes, run results,
 * Tablesaw tables and Plotly figures as HTML (plotly.js inlined once per kernel session, so notebooks work
 * offline), shows a run's progress live, and {@link dev.lethe.kernel.KernelSetup} writes the kernelspec and
 * the library descriptor.
 */
@NullMarked
package dev.lethe.kernel;

import org.jspecify.annotations.NullMarked;

/** Figures and pages from run results: Plotly charts (Tablesaw's jsplot) and a self-contained HTML report. */
@NullMarked
package dev.lethe.report;

import org.jspecify.annotations.NullMarked;

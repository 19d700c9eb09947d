/**
 * Tables, figures and pages from run results: the tables to read ({@link dev.lethe.report.RunTables}: summary,
 * headline, attack deltas, stability), Plotly charts (Tablesaw's jsplot) and a self-contained HTML report.
 */
@NullMarked
package dev.lethe.report;

import org.jspecify.annotations.NullMarked;

/** What a run produced: {@link dev.lethe.result.RunResult} (typed rows, events, per-example scores) and the {@link dev.lethe.result.RunEvent}s a {@link dev.lethe.result.RunListener} receives. */
@NullMarked
package dev.lethe.result;

import org.jspecify.annotations.NullMarked;

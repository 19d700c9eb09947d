package dev.lethe.result;

/** Receives the runner's events, e.g. to draw progress. One method, so a lambda is a listener. */
@FunctionalInterface
public interface RunListener {
    /** Called on the running thread for each event, in order. */
    void onEvent(RunEvent event);
}

package io.deepnets.sweep;

import java.io.Serializable;

/**
 * One point to run, in a form that travels to a worker process or another machine: the resolved config as YAML
 * text (parsed and checked again where it runs), where its run folder goes, and where data is looked for.
 *
 * @param index the point's position in the sweep
 * @param folder the point's folder name ({@code axis=value,...})
 * @param configYaml the point's resolved experiment config
 * @param runDir the run folder (absolute path, as a string so the task serialises everywhere)
 * @param dataDir {@code --data-dir}, or null for the worker's own lookup ({@code DEEPNETS_DATA}, ...)
 * @param sweepPoint a sweep's point (divergence is a result, train accuracy measured) rather than a suite's run
 */
public record PointTask(int index, String folder, String configYaml, String runDir, String dataDir, boolean sweepPoint) implements Serializable {
    public PointTask(int index, String folder, String configYaml, String runDir, String dataDir) {
        this(index, folder, configYaml, runDir, dataDir, true);
    }
}

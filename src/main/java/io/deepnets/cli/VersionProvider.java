package io.deepnets.cli;

import io.deepnets.model.BuildInfo;
import picocli.CommandLine;

/** {@code deepnets --version}. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"deepnets " + BuildInfo.get("deepnets.version") + " (DL4J " + BuildInfo.get("dl4j.version") + ", "
                + BuildInfo.get("nd4j.backend") + " " + BuildInfo.get("nd4j.classifier") + ")"};
    }
}

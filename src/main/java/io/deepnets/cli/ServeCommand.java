package io.deepnets.cli;

import io.deepnets.serve.RunServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deepnets serve}: the runs, live training, sweeps and a model playground in the browser. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"A local web application over the run, sweep and suite folders under DIR (default reports): a runs table, live "
                + "curves of runs being trained, each run's figures, comparisons, sweeps, and 'try a model' (draw or upload an image, see the "
                + "prediction and where the network looked). Runs until stopped (Ctrl-C). It only reads the folders."})
final class ServeCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "DIR", description = "Folders of runs (default: reports).")
    List<Path> dirs;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N", description = "The port (default 8080; 0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "The address to listen on (default 127.0.0.1: this machine only). Another makes the runs visible to the network.")
    String host;

    @Mixin
    DataDirOption data;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new io.deepnets.BadInputException("--port " + port + ": expected 0..65535");
        }
        List<Path> roots = dirs == null || dirs.isEmpty() ? List.of(Path.of("reports")) : dirs;
        for (Path dir : roots) {
            if (java.nio.file.Files.exists(dir) && !java.nio.file.Files.isDirectory(dir)) {
                throw new io.deepnets.BadInputException(dir + ": not a folder (serve takes folders of runs, e.g. reports)");
            }
            if (!java.nio.file.Files.exists(dir) && dirs != null && !dirs.isEmpty()) {
                throw new io.deepnets.BadInputException(dir + ": no such folder (serve takes folders of runs, e.g. reports)");
            }
        }
        RunServer server = new RunServer(roots, host, port, data.dataDir);
        server.start();
        if (!java.net.InetAddress.getByName(host).isLoopbackAddress()) {
            System.err.println("warning: listening on " + host + ": anyone who can reach this machine on port " + server.url().getPort()
                    + " can see these runs and use their models (the default, 127.0.0.1, keeps them to this machine)");
        }
        if (!java.nio.file.Files.exists(roots.get(0))) {
            System.out.println("deepnets serve: " + roots.get(0) + "/ does not exist yet; runs appear as soon as './deepnets run' writes there");
        }
        System.out.println("deepnets serve: " + server.url() + "  (" + server.catalog().snapshot().runs().size() + " runs under "
                + String.join(", ", roots.stream().map(Path::toString).toList()) + "; Ctrl-C stops)");
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
        return Main.OK;
    }
}

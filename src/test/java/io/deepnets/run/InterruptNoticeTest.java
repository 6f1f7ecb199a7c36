package io.deepnets.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.deepnets.runs.RunFolder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The line a stopped run prints, at each stage of the command. */
class InterruptNoticeTest {
    @TempDir
    Path tmp;

    @Test
    void eachStageOfTheCommandGetsItsLineAndACompletedRunNone() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Path runDir = tmp.resolve("run");
        try (InterruptNotice notice = InterruptNotice.watch(err)) {
            notice.say();
            Files.createDirectories(runDir);
            notice.making(runDir);
            notice.say();
            notice.resumable(runDir);
            notice.say();
            Files.writeString(runDir.resolve(RunFolder.METRICS), "{}");
            notice.say();
        }
        assertEquals("error: interrupted before the run folder was made\n"
                + "error: interrupted while making the run folder " + runDir + "; it holds no training and can be deleted\n"
                + "error: interrupted; the epochs completed so far are kept in " + runDir + ": continue with 'deepnets resume " + runDir + "'\n",
                bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }
}

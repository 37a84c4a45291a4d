package dev.vecdrop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random bad command lines: valid ones with one thing broken (an unknown option, a value that is not a number or
 * is out of range, a missing required option, a stray argument). Each must give exit code 2 and exactly one line
 * on stderr, never a stack trace, and write nothing to stdout.
 */
class CliFuzzTest {

    private static final String[][] VALID = {
        {"mask", "--seed", "5", "--count", "100", "--p", "0.3"},
        {"mask", "--seed", "0xabc", "--offset", "7", "--count", "64", "--p", "0.9", "--format", "hex"},
        {"uniforms", "--seed", "1", "--count", "10"},
        {"normals", "--seed", "3", "--offset", "1", "--count", "10"},
        {"info"},
    };
    private static final String[] JUNK = {"-1", "abc", "NaN", "1e999", "", "--", "0x", "99999999999999999999", "2", "-0.5"};

    @Test
    void everyBrokenCommandLineGivesOneLineAndExitCodeTwo() {
        SplittableRandom random = new SplittableRandom(1234);
        for (int i = 0; i < 400; i++) {
            String[] base = VALID[random.nextInt(VALID.length)];
            List<String> args = new ArrayList<>(List.of(base));
            String change;
            switch (random.nextInt(4)) {
                case 0 -> { // an unknown option
                    args.add(1 + random.nextInt(args.size()), "--no-such-option-" + random.nextInt(100));
                    change = "unknown option";
                }
                case 1 -> { // a stray positional argument
                    args.add("stray" + random.nextInt(100));
                    change = "stray argument";
                }
                case 2 -> { // a required option dropped
                    int at = args.indexOf(random.nextBoolean() ? "--seed" : "--count"); // both required with hex
                    if (at < 0) {
                        continue;
                    }
                    args.remove(at + 1);
                    args.remove(at);
                    change = "required option dropped";
                }
                default -> { // a numeric value replaced by junk that is invalid for it
                    int at = args.indexOf(random.nextBoolean() ? "--p" : "--count");
                    if (at < 0) {
                        continue;
                    }
                    String junk = JUNK[random.nextInt(JUNK.length)];
                    if (junk.equals("2") && args.get(at).equals("--count")) {
                        continue; // 2 is a bad p but a fine count
                    }
                    args.set(at + 1, junk);
                    change = "bad value " + junk;
                }
            }
            MainTest.Run run = MainTest.run(args.toArray(String[]::new));
            String what = String.join(" ", args) + " (" + change + ")";
            assertEquals(Main.USAGE, run.code(), what + ": exit code; stderr: " + run.err());
            assertEquals(1, run.err().lines().count(), what + ": stderr must be one line: " + run.err());
            assertTrue(run.err().startsWith("vecdrop: "), what + ": " + run.err());
            assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), what + ": " + run.err());
            assertEquals("", run.out(), what + ": nothing on stdout");
        }
    }
}

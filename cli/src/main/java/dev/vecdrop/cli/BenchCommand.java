package dev.vecdrop.cli;

import dev.vecdrop.Dropout;
import dev.vecdrop.GaussianDropout;
import dev.vecdrop.ParallelDropout;
import dev.vecdrop.ParallelGaussian;
import dev.vecdrop.Scaling;
import dev.vecdrop.kernel.Platform;
import java.io.PrintWriter;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.function.LongConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vecdrop bench}: a quick throughput table, the everyday number. Each cell is the best of a few timed
 * runs after a warm-up, on buffers allocated and touched once; ratios are taken within this one run. JMH
 * (in {@code jmh/}) is the rigorous measurement.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Quick throughput table (under a minute): scalar reference vs the kernels picked here,",
                "forward and backward, against the limit kernel y = x * c over the same buffers.",
                "Pass JVM flags through JAVA_OPTS, e.g. JAVA_OPTS=-XX:UseAVX=2 ./vecdrop bench.",
                "With --jmh: the JMH suite (preferred width, forced 256-bit and -XX:UseAVX=2 side by side),",
                "then a table, a chart (throughput.png), the JMH JSON and log in --out."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--sizes", split = ",", defaultValue = "1024,16384,262144,1048576,16777216",
            description = "Element counts (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--p", defaultValue = "0.5", description = "Drop probability of the quick table (default: ${DEFAULT-VALUE}); the JMH suite uses 0.5.")
    double p;

    @Option(names = "--scaling", defaultValue = "INVERTED", description = "INVERTED, CLASSIC or ALPHA, for the quick table (default: ${DEFAULT-VALUE}).")
    Scaling scaling;

    @Option(names = "--millis", defaultValue = "150", description = "Length of one timed run in ms (default: ${DEFAULT-VALUE}).")
    int millis;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per cell; the best counts (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--threads", description = "Threads of the multi-threaded rows (ParallelDropout on a ForkJoinPool);"
            + " default: all cores (${DEFAULT-VALUE} here); 1 leaves them out.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--jmh", description = "Run the JMH suite (jmh/) instead of the quick table; full run about 45 min, --quick about 10.")
    boolean jmh;

    @Option(names = "--include", defaultValue = "\\.Isa\\..*|\\.Latency\\..*",
            description = "With --jmh: benchmarks to run, a JMH regex (default: ${DEFAULT-VALUE}), e.g. 'Preferred.*forward'.")
    String include;

    @Option(names = "--quick", description = "With --jmh: 2 x 0.5 s warm-up and 3 x 0.5 s measurement instead of 3 x 1 s and 5 x 1 s.")
    boolean quick;

    @Option(names = "--out", defaultValue = "target/bench-report",
            description = "With --jmh: where report.md, throughput.png, jmh.json and jmh.log go (default: ${DEFAULT-VALUE}).")
    java.nio.file.Path outDir;

    /**
     * One row of the table: a name, the bytes it moves per element, the call to time, and whether "x scalar" (the
     * scalar dropout forward) applies to it (not to the gaussian rows: another operation).
     */
    private record Kernel(String name, double bytesPerElement, LongConsumer call, boolean comparesWithScalar) {
        Kernel(String name, double bytesPerElement, LongConsumer call) {
            this(name, bytesPerElement, call, true);
        }
    }

    @Override
    public Integer call() {
        if (sizes.stream().anyMatch(n -> n < 1) || millis < 1 || repeats < 1 || threads < 1) {
            throw new ParameterException(spec.commandLine(), "--sizes, --millis, --repeats and --threads must be positive");
        }
        if (jmh) {
            return runJmh();
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Dropout dropout = Dropout.of(p, scaling);
        Dropout reference = dropout.scalarReference();
        Dropout limit = Dropout.classic(0.5); // classic eval is y = x * 0.5f: the limit kernel, same kernels

        String impl = dropout.implementation();
        out.printf("vecdrop bench  %s  p=%s %s%n", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), p, scaling);
        out.printf("CPU     %s [%s]%nJDK     %s%nflags   %s%nkernels %s%n", Platform.cpuModel(),
                Platform.simdFlags(), Platform.jdk(), Platform.jvmFlags(), Platform.kernels());
        out.println("Gelem/s = elements per ns; GB/s counts bytes read + written; best of " + repeats + " x "
                + millis + " ms; ratios within this run.");
        out.printf("%n%10s  %-28s %9s %9s %9s %9s%n", "n", "kernel", "Gelem/s", "GB/s", "x limit", "x scalar");
        out.flush();
        Progress progress = new Progress(err);
        ForkJoinPool pool = threads > 1 ? new ForkJoinPool(threads) : null;
        ParallelDropout parallel = pool == null ? null : ParallelDropout.of(dropout, pool);
        ParallelDropout parallelLimit = pool == null ? null : ParallelDropout.of(limit, pool);
        // Gaussian dropout of the same p (p = 1 has none: its sigma is infinite): compute-bound, where threads pay.
        GaussianDropout gaussian = p < 1 ? GaussianDropout.of(p) : null;
        ParallelGaussian parallelGaussian = pool == null || gaussian == null ? null : ParallelGaussian.of(gaussian, pool);
        warmUp(dropout, reference, limit, gaussian, progress);
        int cells = sizes.size() * ((pool == null ? 6 : 8) + (gaussian == null ? 0 : pool == null ? 1 : 2));
        int cell = 0;
        for (int n : sizes) {
            float[] x = new float[n];
            float[] y = new float[n];
            float[] dx = new float[n];
            long[] mask = new long[Dropout.maskWords(n)];
            for (int i = 0; i < n; i++) {
                x[i] = (i % 1000) * 0.001f - 0.5f; // touches every page once, outside the timing
            }
            dropout.forward(1, 0, x, 0, y, 0, n, mask, 0);
            List<Kernel> kernels = new java.util.ArrayList<>(List.of(
                    new Kernel("limit y = x * c (" + impl + ")", 8, seed -> limit.eval(x, 0, y, 0, n)),
                    new Kernel("scalar forward", 8, seed -> reference.forward(seed, 0, x, 0, y, 0, n)),
                    new Kernel(impl + " forward", 8, seed -> dropout.forward(seed, 0, x, 0, y, 0, n)),
                    new Kernel(impl + " forward + mask", 8.125, seed -> dropout.forward(seed, 0, x, 0, y, 0, n, mask, 0)),
                    new Kernel(impl + " backward (bits)", 8.125, seed -> dropout.backward(mask, 0, y, 0, dx, 0, n)),
                    new Kernel(impl + " backward (regen)", 8, seed -> dropout.backward(seed, 0, y, 0, dx, 0, n))));
            if (gaussian != null) {
                kernels.add(new Kernel(impl + " gaussian", 8, seed -> gaussian.forward(seed, 0, x, 0, y, 0, n), false));
            }
            if (pool != null) {
                kernels.add(new Kernel("limit, " + threads + " threads", 8, seed -> parallelLimit.eval(x, 0, y, 0, n),
                        false)); // as the single-thread limit row: a yardstick, not a dropout kernel
                kernels.add(new Kernel("forward, " + threads + " threads", 8,
                        seed -> parallel.forward(seed, 0, x, 0, y, 0, n)));
                if (parallelGaussian != null) {
                    kernels.add(new Kernel("gaussian, " + threads + " threads", 8,
                            seed -> parallelGaussian.forward(seed, 0, x, 0, y, 0, n), false));
                }
            }
            double limitRate = 0;
            double scalar = 0;
            for (Kernel kernel : kernels) {
                progress.show(String.format("[%2d/%d] n=%d %s", ++cell, cells, n, kernel.name()));
                double rate = measure(kernel.call(), n);
                if (limitRate == 0 || kernel.name().startsWith("limit, ")) {
                    limitRate = rate; // multi-threaded rows compare with the limit on as many threads
                }
                if (kernel.name().equals("scalar forward")) {
                    scalar = rate;
                }
                progress.clear();
                // "-" where the ratio means nothing: the limit rows (yardsticks) and the gaussian ones (another operation)
                String vsScalar = scalar > 0 && kernel.comparesWithScalar()
                        ? String.format(Locale.ROOT, "%9.2f", rate / scalar) : String.format("%9s", "-");
                out.printf(Locale.ROOT, "%10d  %-28s %9.3f %9.2f %9.2f %s%n", n, kernel.name(), rate,
                        rate * kernel.bytesPerElement(), rate / limitRate, vsScalar);
                out.flush();
            }
        }
        if (pool != null) {
            pool.shutdown();
            out.println("Rows 'N threads': ParallelDropout (ParallelGaussian) on a ForkJoinPool of N; 'x limit' there is"
                    + " against the limit kernel on the same N threads. Below " + parallel.minParallelLength() + " ("
                    + ParallelGaussian.DEFAULT_MIN_PARALLEL_LENGTH + ") elements they run inline.");
        }
        return 0;
    }

    /**
     * Runs the JMH report in its own JVM from {@code jmh/target/benchmarks.jar}, which the launcher builds when
     * {@code --jmh} is given; the report's output goes straight to this terminal.
     */
    private int runJmh() {
        try { // checked here, where a bad one is one line and exit 2, not a stack trace from the JMH run
            java.util.regex.Pattern.compile(include);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new ParameterException(spec.commandLine(), "--include is not a regular expression: "
                    + e.getDescription() + " near index " + e.getIndex() + " of " + include);
        }
        String home = System.getProperty("vecdrop.home", ".");
        java.nio.file.Path jar = java.nio.file.Path.of(home, "jmh", "target", "benchmarks.jar");
        if (!java.nio.file.Files.isRegularFile(jar)) {
            throw new ParameterException(spec.commandLine(), jar + " is missing: run ./vecdrop bench --jmh, or build it with"
                    + " mvn install -Dinvoker.skip=true, then mvn -f jmh/pom.xml clean package");
        }
        List<String> command = List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", jar.toString(), "dev.vecdrop.jmh.BenchReport",
                outDir.toAbsolutePath().toString(), include,
                String.join(",", sizes.stream().map(String::valueOf).toList()), String.valueOf(quick));
        try {
            return new ProcessBuilder(command).inheritIO().start().waitFor();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not start the JMH report: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** Runs every kernel on a small buffer until C2 has compiled them, so the first cells do not time the JIT. */
    private static void warmUp(Dropout dropout, Dropout reference, Dropout limit, GaussianDropout gaussian,
                               Progress progress) {
        progress.show("warming up (JIT) ...");
        int n = 4096;
        float[] x = new float[n];
        float[] y = new float[n];
        long[] mask = new long[Dropout.maskWords(n)];
        for (int i = 0; i < 20_000; i++) {
            dropout.forward(i, i, x, 0, y, 0, n - (i & 7));
            dropout.forward(i, i, x, 0, y, 0, n - (i & 7), mask, 0);
            dropout.backward(mask, 0, y, 0, x, 0, n - (i & 7));
            limit.eval(x, 0, y, 0, n - (i & 7));
            if ((i & 15) == 0) {
                reference.forward(i, i, x, 0, y, 0, n);
            }
            if (gaussian != null && (i & 3) == 0) {
                gaussian.forward(i, i, x, 0, y, 0, n - (i & 7));
            }
        }
        progress.clear();
    }

    /** Best elements-per-nanosecond of {@link #repeats} timed runs after one warm-up run. Seeds change every call. */
    private double measure(LongConsumer call, int n) {
        long seed = 0x5EED;
        int batch = Math.max(1, (1 << 16) / n); // keep clock reads rare for small n
        double best = 0;
        for (int run = -1; run < repeats; run++) { // run -1 warms up
            long calls = 0;
            long start = System.nanoTime();
            long elapsed;
            do {
                for (int b = 0; b < batch; b++) {
                    call.accept(seed++);
                }
                calls += batch;
                elapsed = System.nanoTime() - start;
            } while (elapsed < millis * 1_000_000L);
            if (run >= 0) {
                best = Math.max(best, (double) calls * n / elapsed);
            }
        }
        return best;
    }
}

package streaminglab.exercises;

import streaminglab.execution.CellError;
import streaminglab.execution.JavaEvaluator;
import streaminglab.language.Messages;
import streaminglab.magics.Magic;
import streaminglab.magics.MagicArgs;
import streaminglab.magics.MagicCall;
import streaminglab.magics.UsageError;
import streaminglab.output.OutputRouter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code %check NAME}: runs the exercise's check file {@code checks/NAME.jsh} (next to the
 * notebook, in the course's exercises/checks, or in SPARK_LAB_CHECKS) in the notebook's JShell, so it sees the student's variables,
 * and shows what is right or what is off. A check that does not pass is an error, so a notebook
 * run by nbclient stops there.
 */
public final class CheckMagic implements Magic {
    // the kernel chooses its language before it makes its magics
    static final String USAGE = Messages.text("check.usage");

    private final Supplier<JavaEvaluator> java;
    private final OutputRouter router;
    private final List<Path> checkDirs;

    /** Looks in ./checks, then in the course's exercises/checks (shared by its editions), then in extraDir. */
    public CheckMagic(Supplier<JavaEvaluator> java, OutputRouter router, Path courseChecks, Path extraDir) {
        this.java = java;
        this.router = router;
        this.checkDirs = new ArrayList<>();
        checkDirs.add(Paths.get("checks"));
        if (courseChecks != null) checkDirs.add(courseChecks);
        if (extraDir != null) checkDirs.add(extraDir);
    }

    @Override
    public String name() {
        return "check";
    }

    @Override
    public String summary() {
        return Messages.text("check.summary");
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public Object run(MagicCall call) throws Exception {
        MagicArgs args = call.args().accept(Set.of(), Set.of(), USAGE);
        if (args.positional().size() != 1) throw new UsageError(Messages.text("check.needs_name"), USAGE);
        String name = args.positional().get(0);
        if (!name.matches("[A-Za-z0-9_.-]+")) throw new UsageError(Messages.text("check.bad_name", name), USAGE);
        Path file = find(name);
        if (file == null) {
            throw new UsageError(Messages.text("check.not_found", name,
                    checkDirs.stream().map(d -> d.toAbsolutePath().toString()).toList()), USAGE);
        }
        JavaEvaluator evaluator = java.get();
        evaluator.declare("import streaminglab.exercises.*;");
        Object value = evaluator.eval(Files.readString(file, StandardCharsets.UTF_8));
        if (value instanceof Check) value = ((Check) value).run();
        if (!(value instanceof CheckResult)) {
            throw new IllegalStateException(Messages.text("check.not_a_check", file,
                    value == null ? "null" : value.getClass().getSimpleName()));
        }
        CheckResult result = (CheckResult) value;
        router.current().display(result.render());
        if (!result.passed()) {
            throw new CellError("CheckFailed", result.failureText(), List.of(result.failureText().split("\n")), null);
        }
        return null;
    }

    private Path find(String name) {
        for (Path dir : checkDirs) {
            Path f = dir.resolve(name + ".jsh");
            if (Files.isRegularFile(f)) return f;
        }
        return null;
    }
}

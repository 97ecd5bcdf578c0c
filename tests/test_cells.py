"""Plain Java cells: values, output streams, errors, definitions across cells."""

from __future__ import annotations


def test_value_of_last_expression(kernel):
    kernel.ok("int cellX = 41;")
    res = kernel.ok("cellX + 1")
    assert res.plain.strip() == "42"
    assert res.stdout == "" and res.stderr == ""


def test_statements_then_expression_in_one_cell(kernel):
    res = kernel.ok("int cellA = 6;\nint cellB = 7;\ncellA * cellB")
    assert res.plain.strip() == "42"


def test_println_goes_to_stdout_stream(kernel):
    res = kernel.ok('System.out.println("hi")')
    assert res.stdout == "hi\n"
    assert res.stderr == ""
    assert res.result is None, "a void call must not produce an Out[] value:\n" + res.describe()


def test_stderr_stream(kernel):
    res = kernel.ok('System.err.println("careful")')
    assert res.stderr == "careful\n"
    assert res.stdout == ""


def test_stdout_keeps_order_and_print_without_newline(kernel):
    res = kernel.ok(
        'for (int i = 0; i < 3; i++) { System.out.println("line " + i); }\n'
        'System.out.print("no newline");'
    )
    assert res.stdout == "line 0\nline 1\nline 2\nno newline"


def test_stdout_of_a_cell_does_not_leak_into_the_next(kernel):
    kernel.ok('System.out.print("partial-output-first-cell")')
    res = kernel.ok('System.out.println("second")')
    assert res.stdout == "second\n"


def test_compile_error_reports_compiler_message(kernel):
    res = kernel.run('int cellY = "s";')
    assert res.status == "error", res.describe()
    assert "incompatible types" in res.error_text, res.error_text
    assert res.error is not None, "no error message on IOPub:\n" + res.describe()
    # the failed declaration did not define cellY
    res2 = kernel.run("cellY")
    assert res2.status == "error", res2.describe()


def test_unknown_symbol_is_a_compile_error(kernel):
    res = kernel.run("undefinedThing + 1")
    assert res.status == "error", res.describe()
    assert "cannot find symbol" in res.error_text or "undefinedThing" in res.error_text, res.error_text


def test_exception_error_has_simple_class_name(kernel):
    res = kernel.run('throw new IllegalStateException("boom")')
    assert res.status == "error"
    assert res.error is not None, res.describe()
    assert res.error["ename"] == "IllegalStateException"
    assert "boom" in res.error["evalue"]
    assert res.reply["ename"] == "IllegalStateException"


def test_exception_from_library_call(kernel):
    res = kernel.run('Integer.parseInt("not a number")')
    assert res.status == "error"
    assert res.error["ename"] == "NumberFormatException"
    assert "not a number" in res.error_text


def test_output_before_exception_is_kept(kernel):
    res = kernel.run('System.out.println("before the crash");\nthrow new RuntimeException("crash");')
    assert res.status == "error"
    assert res.stdout == "before the crash\n"
    assert res.error["ename"] == "RuntimeException"


def test_kernel_keeps_working_after_errors(kernel):
    kernel.run('throw new Error("serious")')
    kernel.run("int broken = ;")
    assert kernel.value("1 + 1") == "2"


def test_methods_and_classes_persist_across_cells(kernel):
    kernel.ok("int cellSquare(int v) { return v * v; }")
    kernel.ok(
        "public static class CellCounter {\n"
        "  private int n;\n"
        "  public int inc() { return ++n; }\n"
        "}"
    )
    kernel.ok("CellCounter cellCounter = new CellCounter(); cellCounter.inc();")
    assert kernel.value("cellCounter.inc() + cellSquare(4)") == "18"


def test_redefining_a_variable_in_a_later_cell(kernel):
    kernel.ok('String cellGreeting = "hello";')
    kernel.ok('String cellGreeting = "bonjour";')
    res = kernel.ok("System.out.println(cellGreeting)")
    assert res.stdout == "bonjour\n"


def test_default_imports_for_collections_and_spark_functions(kernel):
    # java.util and the Spark Java function interfaces are usable without imports
    res = kernel.ok(
        "List<Integer> cellNums = new ArrayList<>(List.of(3, 1, 2));\n"
        "Collections.sort(cellNums);\n"
        "MapFunction<Integer, Integer> cellInc = v -> v + 1;\n"
        "System.out.println(cellNums + \" \" + cellInc.call(1))"
    )
    assert res.stdout == "[1, 2, 3] 2\n"


def test_display_sends_display_data_during_the_cell(kernel):
    res = kernel.ok('display("first shown");\nThread.sleep(3000);\nSystem.out.println("done");')
    assert len(res.displays) == 1, res.describe()
    assert "first shown" in res.displays[0].get("text/plain", ""), res.displays
    # it arrived while the cell was still sleeping, not with the cell's end
    t_display = res.arrivals[res.messages.index(res.visible_display_msgs()[0])]
    t_idle = res.arrivals[-1]
    assert t_idle - t_display >= 2.0, res.describe()


def test_display_output_order_matches_code_order(kernel):
    res = kernel.ok(
        'System.out.println("before");\n'
        'display("middle");\n'
        'System.out.println("after");'
    )
    seq = []
    visible = res.visible_display_msgs()
    for m in res.messages:
        t = m["header"]["msg_type"]
        if t == "stream":
            seq.extend(line for line in m["content"]["text"].splitlines() if line)
        elif t == "display_data" and m in visible:
            seq.append("<display>")
    assert seq == ["before", "<display>", "after"], res.describe()


def test_display_statement_adds_no_extra_result(kernel):
    res = kernel.ok('display("only once");')
    assert len(res.displays) == 1, res.describe()
    assert res.result is None, "display(x); also produced an Out[] value:\n" + res.describe()


def test_several_imports_in_one_cell_keep_every_variable(kernel):
    # JShell recompiles earlier snippets when imports arrive; the variables must keep their values
    kernel.ok('String keptText = "kept"; java.util.List<Integer> keptList = List.of(1, 2); long keptCount = 7L;')
    kernel.ok("import java.util.regex.*;\nimport java.util.zip.*;\nimport java.util.jar.*;")
    res = kernel.ok('keptText + " " + keptList + " " + keptCount')
    assert res.plain.strip() == "kept [1, 2] 7", res.describe()
    # a variable the cell declares again takes its new value, even next to imports
    kernel.ok('import java.util.logging.*;\nString keptText = "new";\nimport java.util.prefs.*;')
    assert kernel.ok("keptText").plain.strip() == "new"


def test_a_cells_value_is_not_kept_after_it_is_shown(kernel):
    # JShell keeps each expression's value in a hidden variable; the notebook shows the value and
    # lets it go, so a big result (a collected Dataset, say) does not stay in the heap for good
    kernel.ok(
        "java.lang.ref.WeakReference<Object> shownValue;\n"
        "Object makeShownValue() {\n"
        "    Object v = new Object() { public String toString() { return \"the-shown-value\"; } };\n"
        "    shownValue = new java.lang.ref.WeakReference<>(v);\n"
        "    return v;\n"
        "}"
    )
    assert kernel.ok("makeShownValue()").plain.strip() == "the-shown-value"
    res = kernel.ok(
        "boolean shownValueGone = false;\n"
        "for (int i = 0; i < 20 && !shownValueGone; i++) { System.gc(); Thread.sleep(50); shownValueGone = shownValue.get() == null; }\n"
        "shownValueGone"
    )
    assert res.plain.strip() == "true", "the value of an earlier cell is still referenced:\n" + res.describe()


def test_many_expression_cells_in_a_row(kernel):
    # each value is shown, and earlier values' hidden variables do not pile up into later cells
    for i in range(40):
        assert kernel.ok(f"{i} * 2").plain.strip() == str(i * 2)
    assert kernel.ok("String s40 = \"ok\"; s40").plain.strip() == "ok"


def test_cells_share_one_thread_as_in_ipython(kernel):
    # like IPython's main thread: what a cell leaves on its thread is there in the next cell
    kernel.ok('ThreadLocal<String> perThread = new ThreadLocal<>();\nperThread.set("left by an earlier cell");')
    assert kernel.value("perThread.get()") == "left by an earlier cell"


def test_threads_started_by_each_cell_write_to_that_cell(kernel):
    # the cell thread is reused, so each cell hands its own output to the threads it starts
    for name in ("first", "second"):
        res = kernel.ok(
            f'Thread {name}Writer = new Thread(() -> System.out.println("from the {name} cell\'s thread"));\n'
            f"{name}Writer.start(); {name}Writer.join();"
        )
        assert res.stdout == f"from the {name} cell's thread\n", res.describe()


def test_redefined_methods_and_classes_after_many_cells(kernel):
    # the classes of replaced snippets are forgotten; what is still defined keeps working
    kernel.ok("class Stepper { static class Step { int by = 2; } }")
    kernel.ok("int scaled(int v) { return v * 2; }")
    for i in range(15):
        assert kernel.value(f"scaled({i})") == str(i * 2)
    kernel.ok("int scaled(int v) { return v * 3; }")
    kernel.ok("class Stepper { static class Step { int by = 5; } }")
    assert kernel.value("scaled(new Stepper.Step().by)") == "15"
    kernel.ok("int scaled(int v) { return v * 4; }")
    assert kernel.value("scaled(new Stepper.Step().by)") == "20"


def test_an_expression_cell_is_compiled_once_as_a_class_of_its_own(kernel):
    # a plain expression is compiled in one javac task into a class of its own (REPL.$Cell$N), where JShell
    # took five compilations and a hidden variable: the frame of the cell's code names that class. If this
    # fails, expressions still work through JShell, only several times slower (docs/benchmarks.md).
    assert kernel.value("new Throwable().getStackTrace()[0].getClassName()").startswith("REPL.$Cell$")
    # a method called for its effect has no value; its output is the cell's
    res = kernel.ok('System.out.println("effect only")')
    assert res.stdout == "effect only\n" and res.result is None, res.describe()
    # the frame of an error thrown by such a cell reads as the cell's code
    res = kernel.run('Integer.parseInt("x" + 1)')
    assert res.error["ename"] == "NumberFormatException" and "the cell's code" in res.error_text, res.describe()


def test_expression_cells_mean_what_they_meant_in_jshell(kernel):
    kernel.ok("int exprV = 5;")
    assert kernel.value("exprV = 7") == "7"  # an assignment shows the value assigned
    assert kernel.value("exprV") == "7"
    assert kernel.value("exprV * 6 // a comment after the expression") == "42"
    assert kernel.value("exprV + 1;") == "8"  # a final semicolon changes nothing
    # declarations that read like comparisons (`List < String > exprNames`) still declare
    kernel.ok("List<String> exprNames = new ArrayList<>();")
    kernel.ok("List<String> exprMore;")
    assert kernel.value('exprNames.add("a")') == "true"
    assert kernel.value("exprMore = exprNames") == "[a]"
    # names and words that start declarations elsewhere
    kernel.ok('String record = "kafka";')
    assert kernel.value("record.length()") == "5"
    assert kernel.value('new StringBuilder("ab").reverse()') == "ba"
    # a variable of an anonymous class keeps its members (JShell alone can type it; it takes the cell)
    kernel.ok("var exprAnon = new Object() { int z = 3; };")
    assert kernel.value("exprAnon.z") == "3"
    # what does not compile gets JShell's error, pointing at the cell's source
    res = kernel.run("exprV.length()")
    assert res.status == "error" and "int cannot be dereferenced" in res.error_text, res.describe()


def test_expression_cells_see_redefined_methods_classes_and_variables(kernel):
    # each expression is compiled against what is defined now, also right after a cell redefines it
    kernel.ok("int exprLevel() { return 1; }")
    kernel.ok("class ExprBox { int v() { return 10; } }")
    kernel.ok("int exprVar = 100;")
    assert kernel.value("exprLevel() + new ExprBox().v() + exprVar") == "111"
    kernel.ok("int exprLevel() { return 2; }")
    assert kernel.value("exprLevel() + new ExprBox().v() + exprVar") == "112"
    kernel.ok("class ExprBox { int v() { return 20; } }")
    assert kernel.value("exprLevel() + new ExprBox().v() + exprVar") == "122"
    kernel.ok('String exprVar = "x";')
    assert kernel.value("exprLevel() + new ExprBox().v() + exprVar") == "22x"
    kernel.ok("import java.util.function.*;")
    assert kernel.value("((IntUnaryOperator) n -> n + exprLevel()).applyAsInt(40)") == "42"


# Reaches JShell's map of compiled class files from a cell (the kernel jar opens jdk.jshell to itself).
COUNT_CELL_CLASS_FILES = """
int cellClassFilesKept() throws Exception {
    java.lang.reflect.Field services = streaminglab.runtime.Lab.class.getDeclaredField("services");
    services.setAccessible(true);
    java.util.ArrayDeque<Object[]> todo = new java.util.ArrayDeque<>();
    java.util.Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    todo.add(new Object[]{services.get(null), 0});
    Class<?> shellType = Class.forName("jdk.jshell.JShell");
    Object shell = null;
    while (shell == null && !todo.isEmpty()) {
        Object[] next = todo.poll();
        Object o = next[0];
        int depth = (Integer) next[1];
        if (o == null || !seen.add(o) || o.getClass().isArray()) continue;
        if (shellType.isInstance(o)) { shell = o; break; }
        if (depth >= 4) continue;
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                if (f.getType().isPrimitive() || java.lang.reflect.Modifier.isStatic(f.getModifiers())) continue;
                try { f.setAccessible(true); todo.add(new Object[]{f.get(o), depth + 1}); } catch (RuntimeException closed) { }
            }
        }
    }
    java.lang.reflect.Field tasks = shellType.getDeclaredField("taskFactory");
    tasks.setAccessible(true);
    Object taskFactory = tasks.get(shell);
    java.lang.reflect.Field files = taskFactory.getClass().getDeclaredField("fileManager");
    files.setAccessible(true);
    Object fileManager = files.get(taskFactory);
    java.lang.reflect.Field classes = fileManager.getClass().getDeclaredField("classObjects");
    classes.setAccessible(true);
    return ((Map<?, ?>) classes.get(fileManager)).size();
}
"""


def test_class_files_of_replaced_snippets_are_not_kept(kernel):
    # JShell lists every class it kept to javac in each of a cell's compilations, so keeping them all
    # made each cell slower than the one before; only the classes of live snippets are kept
    kernel.ok(COUNT_CELL_CLASS_FILES)
    before = int(kernel.value("cellClassFilesKept()"))
    for i in range(30):
        kernel.ok(f"{i} + 1")
        kernel.ok(f"int sameName = {i};")
    after = int(kernel.value("cellClassFilesKept()"))
    assert after <= before + 1, f"{before} class files kept before 60 cells, {after} after"

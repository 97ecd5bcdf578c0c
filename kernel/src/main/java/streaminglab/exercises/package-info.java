/**
 * Self-checking exercises: {@code %check NAME} runs the check file checks/NAME.jsh, which compares the
 * student's result with an expected one using {@link streaminglab.exercises.Check}.
 */
package streaminglab.exercises;

/**
 * The magic framework (one small class per family of magics, arguments parsed in one place, usage text for
 * every magic) and the general magics: {@code %%sql}, {@code %spark}, {@code %lsmagic}, {@code %help}.
 */
package streaminglab.magics;

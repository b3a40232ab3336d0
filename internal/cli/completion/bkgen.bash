# bash completion for bkgen                                  -*- shell-script -*-
#
# Written by 'bkgen completion bash'. Load it from ~/.bashrc:
#   source <(bkgen completion bash)
# It asks bkgen itself what may come next ('bkgen __complete WORD... CURRENT'
# prints the candidates, then a directive line), so it always matches the
# bkgen on PATH.

_bkgen() {
    local line="${COMP_LINE:0:COMP_POINT}"
    # Split on blanks only: bash's own words (COMP_WORDS) also break at '='
    # and ':', and bkgen wants "--stack=go" as one word.
    local -a words
    read -r -a words <<<"$line"
    if [[ -z "$line" || "$line" == *[[:space:]] ]]; then
        words+=("")
    fi
    local full="${words[${#words[@]}-1]}"
    local cur="${COMP_WORDS[COMP_CWORD]}"
    # What precedes cur in the full word ("--stack=" when bash's word is
    # "go"); bash keeps it, so candidates lose it.
    local keep=""
    if [[ "$full" == *"$cur" ]]; then
        keep="${full%"$cur"}"
    fi

    local out
    out="$("${words[0]}" __complete "${words[@]:1}" 2>/dev/null)" || return 0
    local directive="" c
    local -a cands=()
    while IFS= read -r c; do
        case "$c" in
        :*) directive="$c" ;;
        ?*) cands+=("$c") ;;
        esac
    done <<<"$out"

    COMPREPLY=()
    case "$directive" in
    :files | :dirs)
        # The value after any "--flag=".
        local prefix="" value="$full"
        if [[ "$full" == --*=* ]]; then
            prefix="${full%%=*}="
            value="${full#*=}"
        fi
        local kind=-f
        [[ "$directive" == :dirs ]] && kind=-d
        while IFS= read -r c; do
            c="$prefix$c"
            [[ -n "$c" ]] && COMPREPLY+=("${c#"$keep"}")
        done < <(compgen "$kind" -- "$value")
        compopt -o filenames 2>/dev/null
        ;;
    *)
        for c in "${cands[@]}"; do
            COMPREPLY+=("${c#"$keep"}")
        done
        ;;
    esac
    return 0
}

complete -F _bkgen bkgen

# fish completion for bkgen, written by 'bkgen completion fish'. Save it as
# ~/.config/fish/completions/bkgen.fish. It asks bkgen itself what may come
# next ('bkgen __complete WORD... CURRENT' prints the candidates, then a
# directive line), so it always matches the bkgen on PATH.

function __bkgen_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l out (command $words[1] __complete $words[2..-1] "$cur" 2>/dev/null)
    or return
    set -l directive $out[-1]
    set -e out[-1]
    switch "$directive"
        case :files :dirs
            # Complete the value after any "--flag=".
            set -l prefix ''
            set -l value "$cur"
            if string match -q -- '--*=*' "$cur"
                set prefix (string replace -r -- '=.*' '=' "$cur")
                set value (string replace -r -- '^[^=]*=' '' "$cur")
            end
            if test "$directive" = :dirs
                __fish_complete_directories "$value" | string replace -r -- '^' "$prefix"
            else
                __fish_complete_path "$value" | string replace -r -- '^' "$prefix"
            end
        case '*'
            printf '%s\n' $out
    end
end

complete -c bkgen -f -a '(__bkgen_complete)'

# Excursion detection on a logger CSV (time,temp_c,...) in plain awk, for bench/supply.sh:
# the same rules as rk_logger_parse (range 8-12 C inclusive, interval 5 s, out-of-order rows
# ignored, malformed rows counted).  Prints readings, excursions and issues.
function days(y, m, d) { y -= (m <= 2); era = int((y >= 0 ? y : y - 399) / 400); yoe = y - era * 400
    doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
    return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468 }
BEGIN { FS = ","; lo = 8; hi = 12; interval = 5 }
NR == 1 { nf = NF; next }
{
    bad = NF != nf || $1 !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z$/
    if (bad || $2 !~ /^-?[0-9]+(\.[0-9]+)?$/) { issues++; next }
    t = days(substr($1, 1, 4) + 0, substr($1, 6, 2) + 0, substr($1, 9, 2) + 0) * 86400
    t += substr($1, 12, 2) * 3600 + substr($1, 15, 2) * 60 + substr($1, 18, 2)
    if (n && t <= prev) { issues++; next }
    if (n && t - prev > interval) issues++
    v = $2 + 0; out = v < lo ? -1 : (v > hi ? 1 : 0)
    if (inexc && (out == 0 || out != dir)) { exc++; dur += t - start; inexc = 0 }
    if (out != 0 && !inexc) { inexc = 1; dir = out; start = t }
    n++; prev = t
}
END { if (inexc) { exc++; dur += prev - start }
      printf "%d readings, %d excursions (%d s), %d issues\n", n, exc, dur, issues }

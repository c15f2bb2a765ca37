# bench/tput.gp: throughput against thread count, one line per
# implementation. Called by bench/run.sh as
#   gnuplot -e "in='FILE.dat'; out='FILE.png'; ttl='...'; yl='...'" tput.gp
# FILE.dat: a header row "threads impl1 impl2 ...", then one row per thread
# count; "?" marks a cell that did not finish.
if (!exists("in")) in = 'bench/results/tput_mutex_cs.dat'
if (!exists("out")) out = 'bench/results/tput_mutex_cs.png'
if (!exists("ttl")) ttl = in
if (!exists("yl")) yl = 'ops/s'
set terminal pngcairo size 1000,620 noenhanced font ",10"
set output out
set datafile missing '?'
set title ttl
set xlabel 'threads'
set ylabel yl
set logscale x 2
set logscale y
set grid
# 16 distinguishable colours (gnuplot's default cycle has 8)
array C[16] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", \
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", \
	"#aec7e8", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94"]
do for [k=1:16] { set linetype k lc rgb C[k] }
set linetype cycle 16
set key outside right top
set key autotitle columnhead
set style data linespoints
# latchkit's implementations (lk*) solid, peers dashed
hdr = system("head -1 '".in."'")
ncol = words(hdr)
array DT[ncol]
do for [k=1:ncol] { DT[k] = (strstrt(word(hdr, k), 'lk') == 1) ? 1 : 2 }
plot for [i=2:ncol] in using 1:i title word(hdr, i) lw 2 pt (i % 13) \
     lc (i-1) dt DT[i]

# bench/cdf.gp: the acquire-latency CDF of one contended cell, one curve per
# implementation. Called by bench/run.sh as
#   gnuplot -e "in='cdf_F_W_tN.dat'; out='....png'; ttl='...'" cdf.gp
# The file holds one block per implementation (blocks separated by two blank
# lines), each opening with the implementation's name, then rows
# "latency_ns cumulative_fraction".
if (!exists("in")) in = 'bench/results/cdf_mutex_cs_t2.dat'
if (!exists("out")) out = 'bench/results/cdf_mutex_cs_t2.png'
if (!exists("ttl")) ttl = in
set terminal pngcairo size 1000,620 noenhanced font ",10"
set output out
set title ttl
set xlabel 'acquire latency (ns, log scale)'
set ylabel 'fraction of acquisitions'
set logscale x 10
set yrange [0:1]
set grid
# 16 distinguishable colours (gnuplot's default cycle has 8)
array C[16] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", \
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", \
	"#aec7e8", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94"]
do for [k=1:16] { set linetype k lc rgb C[k] }
set linetype cycle 16
set key outside right top
set style data steps
# blocks: one per implementation, named by its first line; latchkit's
# (lk*) drawn solid, peers dashed
names = system("grep '^[A-Za-z]' '".in."' | tr '\n' ' '")
nb = words(names)
array DT[nb]
do for [k=1:nb] { DT[k] = (strstrt(word(names, k), 'lk') == 1) ? 1 : 2 }
plot for [i=0:nb-1] in index i using 1:2 title word(names, i+1) lw 2 \
     lc (i+1) dt DT[i+1]

;; Reorder kernels of the strided-view gather (src/loader/view-gather.ts), on 4-byte words.
;; Compiled by scripts/build-wasm.mjs (wabt) into src/loader/reorder-wasm.ts; the test
;; test/loader/reorder-wasm.test.ts checks that the committed module is this file compiled.
;;
;; Every offset and stride is in bytes, in the memory the caller imports (the gather's source
;; buffer and output tiles live in it). Each kernel computes, for i < ni and j < nj:
;;   dst[db + j*dj + i*di] = src[sb + j*sj + i*si]   (one 4-byte word)
;; `scalar` does any strides, in 64 x 64 tiles with i innermost; `transpose` the case di = 4 and
;; sj = 4 (a transpose: the output is contiguous in i, the source in j) in 4 x 4 SIMD blocks,
;; ni and nj multiples of 4; `rows` the case si = di = 4 (dense runs of ni words).
(module
  (import "env" "memory" (memory 1 32768))

  (func (export "scalar")
    (param $ni i32) (param $si i32) (param $di i32)
    (param $nj i32) (param $sj i32) (param $dj i32)
    (param $sb i32) (param $db i32)
    (local $i0 i32) (local $i1 i32) (local $j0 i32) (local $j1 i32)
    (local $i i32) (local $j i32) (local $s i32) (local $d i32)
    (block $done_j0 (loop $next_j0
      (br_if $done_j0 (i32.ge_u (local.get $j0) (local.get $nj)))
      (local.set $j1 (i32.add (local.get $j0) (i32.const 64)))
      (if (i32.gt_u (local.get $j1) (local.get $nj)) (then (local.set $j1 (local.get $nj))))
      (local.set $i0 (i32.const 0))
      (block $done_i0 (loop $next_i0
        (br_if $done_i0 (i32.ge_u (local.get $i0) (local.get $ni)))
        (local.set $i1 (i32.add (local.get $i0) (i32.const 64)))
        (if (i32.gt_u (local.get $i1) (local.get $ni)) (then (local.set $i1 (local.get $ni))))
        (local.set $j (local.get $j0))
        (block $done_j (loop $next_j
          (br_if $done_j (i32.ge_u (local.get $j) (local.get $j1)))
          (local.set $s (i32.add (local.get $sb)
            (i32.add (i32.mul (local.get $j) (local.get $sj)) (i32.mul (local.get $i0) (local.get $si)))))
          (local.set $d (i32.add (local.get $db)
            (i32.add (i32.mul (local.get $j) (local.get $dj)) (i32.mul (local.get $i0) (local.get $di)))))
          (local.set $i (local.get $i0))
          (block $done_i (loop $next_i
            (br_if $done_i (i32.ge_u (local.get $i) (local.get $i1)))
            (i32.store (local.get $d) (i32.load (local.get $s)))
            (local.set $s (i32.add (local.get $s) (local.get $si)))
            (local.set $d (i32.add (local.get $d) (local.get $di)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next_i)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $next_j)))
        (local.set $i0 (local.get $i1))
        (br $next_i0)))
      (local.set $j0 (local.get $j1))
      (br $next_j0))))

  (func (export "transpose")
    (param $ni i32) (param $si i32) (param $nj i32) (param $dj i32)
    (param $sb i32) (param $db i32)
    (local $i0 i32) (local $i1 i32) (local $j0 i32) (local $j1 i32)
    (local $i i32) (local $j i32) (local $s i32) (local $d i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (block $done_j0 (loop $next_j0
      (br_if $done_j0 (i32.ge_u (local.get $j0) (local.get $nj)))
      (local.set $j1 (i32.add (local.get $j0) (i32.const 64)))
      (if (i32.gt_u (local.get $j1) (local.get $nj)) (then (local.set $j1 (local.get $nj))))
      (local.set $i0 (i32.const 0))
      (block $done_i0 (loop $next_i0
        (br_if $done_i0 (i32.ge_u (local.get $i0) (local.get $ni)))
        (local.set $i1 (i32.add (local.get $i0) (i32.const 64)))
        (if (i32.gt_u (local.get $i1) (local.get $ni)) (then (local.set $i1 (local.get $ni))))
        (local.set $j (local.get $j0))
        (block $done_j (loop $next_j
          (br_if $done_j (i32.ge_u (local.get $j) (local.get $j1)))
          (local.set $i (local.get $i0))
          (block $done_i (loop $next_i
            (br_if $done_i (i32.ge_u (local.get $i) (local.get $i1)))
            ;; Four source runs (i .. i+3), four words each (j .. j+3).
            (local.set $s (i32.add (local.get $sb)
              (i32.add (i32.mul (local.get $i) (local.get $si)) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $r0 (v128.load align=4 (local.get $s)))
            (local.set $s (i32.add (local.get $s) (local.get $si)))
            (local.set $r1 (v128.load align=4 (local.get $s)))
            (local.set $s (i32.add (local.get $s) (local.get $si)))
            (local.set $r2 (v128.load align=4 (local.get $s)))
            (local.set $s (i32.add (local.get $s) (local.get $si)))
            (local.set $r3 (v128.load align=4 (local.get $s)))
            ;; 4 x 4 transpose: interleave word pairs, then halves.
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
              (local.get $r0) (local.get $r1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
              (local.get $r0) (local.get $r1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
              (local.get $r2) (local.get $r3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
              (local.get $r2) (local.get $r3)))
            (local.set $d (i32.add (local.get $db)
              (i32.add (i32.mul (local.get $j) (local.get $dj)) (i32.shl (local.get $i) (i32.const 2)))))
            (v128.store align=4 (local.get $d)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (local.set $d (i32.add (local.get $d) (local.get $dj)))
            (v128.store align=4 (local.get $d)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (local.set $d (i32.add (local.get $d) (local.get $dj)))
            (v128.store align=4 (local.get $d)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (local.set $d (i32.add (local.get $d) (local.get $dj)))
            (v128.store align=4 (local.get $d)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $next_i)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $next_j)))
        (local.set $i0 (local.get $i1))
        (br $next_i0)))
      (local.set $j0 (local.get $j1))
      (br $next_j0))))

  (func (export "rows")
    (param $ni i32) (param $nj i32) (param $sj i32) (param $dj i32)
    (param $sb i32) (param $db i32)
    (local $j i32) (local $s i32) (local $d i32) (local $end i32) (local $end16 i32)
    (block $done_j (loop $next_j
      (br_if $done_j (i32.ge_u (local.get $j) (local.get $nj)))
      (local.set $s (i32.add (local.get $sb) (i32.mul (local.get $j) (local.get $sj))))
      (local.set $d (i32.add (local.get $db) (i32.mul (local.get $j) (local.get $dj))))
      (local.set $end (i32.add (local.get $s) (i32.shl (local.get $ni) (i32.const 2))))
      (local.set $end16 (i32.sub (local.get $end) (i32.const 16)))
      ;; 16 bytes at a time while a whole vector is left, then word by word.
      (block $done_v (loop $next_v
        (br_if $done_v (i32.gt_s (local.get $s) (local.get $end16)))
        (v128.store align=4 (local.get $d) (v128.load align=4 (local.get $s)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $next_v)))
      (block $done_w (loop $next_w
        (br_if $done_w (i32.ge_u (local.get $s) (local.get $end)))
        (i32.store (local.get $d) (i32.load (local.get $s)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br $next_w)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next_j))))
)

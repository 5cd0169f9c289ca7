extension LinearProgram {
    /// A part of a programme that shares no constraint with the rest, with its variables renumbered.
    public struct Component: Sendable {
        public let program: LinearProgram
        /// Old variable → its number in `program`.
        public let variables: [Variable: Variable]

        /// `expression` in this component's numbering; nil if it names a variable of another component.
        public func translate(_ expression: Expression) -> Expression? {
            var terms: [(variable: Variable, coefficient: Double)] = []
            for term in expression.terms {
                guard let v = variables[term.variable] else { return nil }
                terms.append((v, term.coefficient))
            }
            return Expression(terms)
        }
    }

    /// Splits the programme into parts linked by no constraint. Solving each part on its own gives the same
    /// bounds for an expression inside it, with far smaller problems (the report's table groups are
    /// independent of each other).
    public func components() -> [Component] {
        var parent = Array(variables.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        for constraint in constraints {
            guard let first = constraint.expression.terms.first?.variable.index else { continue }
            for term in constraint.expression.terms.dropFirst() {
                let a = root(first), b = root(term.variable.index)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var groups: [Int: [Int]] = [:]
        for i in variables.indices { groups[root(i), default: []].append(i) }
        var constraintsByGroup: [Int: [Constraint]] = [:]
        for constraint in constraints {
            guard let first = constraint.expression.terms.first?.variable.index else { continue }
            constraintsByGroup[root(first), default: []].append(constraint)
        }
        return groups.sorted { $0.key < $1.key }.map { key, members in
            var program = LinearProgram()
            var map: [Variable: Variable] = [:]
            for old in members {
                let spec = variables[old]
                map[Variable(index: old)] = program.addVariable(lower: spec.lower, upper: spec.upper, integer: spec.integer)
            }
            for constraint in constraintsByGroup[key] ?? [] {
                // Every variable of a constraint is in its group (that is how groups are made); one that were not
                // would be dropped from the term rather than trap.
                program.add(Expression(constraint.expression.terms.compactMap { term in map[term.variable].map { ($0, term.coefficient) } }),
                            constraint.relation, constraint.bound)
            }
            return Component(program: program, variables: map)
        }
    }
}
